# The Python example of the Add Media API (seeds/add-media-api.txt), with its four settings read here from the
# environment (VL_BASE_URL, default http://localhost:2080, the local service; VL_TOKEN; DATASET_ID; S3_URI), and step 3
# following the operation itself (docs/API.md, the 202's Operation-Location header) instead of the dataset.
# It also adds to an ERROR dataset, which the API accepts (adding media or a reindex recovers it).
import os

import requests

VL_BASE_URL = os.environ.get("VL_BASE_URL", "http://localhost:2080")
JWT_TOKEN = os.environ["VL_TOKEN"]
DATASET_ID = os.environ["DATASET_ID"]
S3_URI = os.environ["S3_URI"]

headers = {"Authorization": f"Bearer {JWT_TOKEN}"}

# Step 1: Verify the dataset accepts media (READY, PARTIAL INDEX or ERROR)
resp = requests.get(
    f"{VL_BASE_URL}/api/v1/dataset/{DATASET_ID}",
    headers=headers,
)
dataset = resp.json()
print(f"Dataset: {dataset['display_name']}, Status: {dataset['status_new']}")

if dataset["status_new"] not in ("READY", "PARTIAL INDEX", "ERROR"):
    print(f"Dataset is {dataset['status_new']} — cannot add media.")
    exit(1)

# Step 2: Add media from S3
resp = requests.post(
    f"{VL_BASE_URL}/api/v1/dataset/{DATASET_ID}/add_media",
    headers=headers,
    data={"s3_uri": S3_URI},
)

if resp.status_code == 202:
    print("Add media accepted — processing in background.")
else:
    print(f"Error: {resp.status_code}{resp.text}")
    exit(1)

# Step 3: Follow the operation until it ends: its phase, a progress that never goes back, then its counts
import time

operation_url = f"{VL_BASE_URL}{resp.headers['Operation-Location']}"
while True:
    operation = requests.get(operation_url, headers=headers).json()
    print(f"  {operation['status']}: {operation['phase']} {operation['progress']}%")
    if operation["status"] != "RUNNING":
        break
    time.sleep(2)

print(f"Operation {operation['status']}: {operation['n_added']} added, {operation['n_skipped']} skipped")
for skipped in operation["skipped"]:
    print(f"  skipped {skipped['name']}: {skipped['reason']}")
if operation["error"]:
    print(f"Error: {operation['error']}")

status_new = requests.get(f"{VL_BASE_URL}/api/v1/dataset/{DATASET_ID}", headers=headers).json()["status_new"]
print(f"Final status: {status_new}")
