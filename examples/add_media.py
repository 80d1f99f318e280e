# The Python example of the Add Media API's public description (docs/API.md is this repository's copy of that contract),
# with its four settings read from the environment: VL_BASE_URL (default http://localhost:2080, the local service),
# VL_TOKEN, DATASET_ID and S3_URI. One change: it also adds to an ERROR dataset, which the API accepts (the failed
# operation is recorded; adding media or a reindex recovers it).
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

# Step 3: Poll status until processing completes
import time

while True:
    resp = requests.get(
        f"{VL_BASE_URL}/api/v1/dataset/{DATASET_ID}",
        headers=headers,
    )
    status_new = resp.json()["status_new"]
    print(f"  Status: {status_new}")
    if status_new in ("READY", "PARTIAL INDEX", "ERROR"):
        break
    time.sleep(30)

print(f"Final status: {status_new}")
