/**
 * The mean of the default encoder's pooled, L2-normalised descriptors (448 float32, little-endian) over
 * 699 images of bench/fetch-corpus.sh's corpus
 * (the originals and distractors of its tuning half; no labels used).
 * Subtracting it spreads unrelated images around cosine 0; it is part of the model, so of its pinned hash.
 * Written by bench/fit-default-encoder.ts.
 */
export const DEFAULT_ENCODER_CENTRE_BASE64 = [
  'JsV8PVGWp7w+fFq9GPwYPSvujDnmEJe849Diu89BrL0XUK284+tTPRkajb392p67ogjZPFsC2DutZBK94eUFvFapL70uPIC7q3vl',
  'PGno2zvJuzW9qtR3vWoCUL0fTzC9sOBnPDAkvrxRFTs6O/givKV2dDpST5A8cj4APaKbDL0SyKA8r9Y1u9F6zjn4dJY9hGIFvTIe',
  't7yFWj09Xt0mvJDINjtEUtu8PDK/vDYAMz3KWUu9AN91vBASDDqEQqi8VIZmPYkizrzazUe9JD87vbq3Nb2wxde8FgaRPUHanbu3',
  'WOa836oSPEs+1btkBG48CL2vPMtlyzusOhm9So+pPC3jTz31BUu9d7sCveVBJ71oug89W9WhvGWTBj3aOhy9NZIKvcZWY73DghC9',
  'KPq0PAeRsDwVdji8/R5gvSEWJr140Tw8bGjxvIQhHjyei3Y9k/W+PDiQ/jwOOIU83ssaPGh2P7t4o1C9WteevOyM4rypmdi70Byp',
  'PRp7DL1+Q4+89aZMvTPQbTznkpA8Ms1MvJo6EryDWny8FAX9O9efKbvuFZc7iJH3uupBbjyE6BU9t5UWPOgw97vzQOk7LNKZu+h+',
  'OL3xxgU9UcoqPc3csDvfwXE9J/QlPY2SMLxfLxg9vHRpPDRgGz2vOTa8txzSPDRgJD0CLwk9XuEHvSOcY7zD5zo9wF4DvbDsHT2Z',
  'DaK7HRPiO0Njaz0PzAO9DwGJPAU5LL129L68OQVJPbNVUj2GGRg90JotvfIOwbyEBAu9rPbzvCBssjypFGc8JgWEvWTycD0+p8O8',
  'Mb+evIl/Krs9vFY8uPuXPHmsgr2O+6+8tnAlPZUPdD2ScQq9Ix7yvCbPmTvJkee8JqOPvey/c73f3AA9ZSgZPct2YD0q99o8fCvF',
  'uvvuf70aF1y89yLKvBN9Hrvn/cG7a9RWvdXc/Tx7MRK9AAaBPA9cLjxEGC09cqfUPKsQFz3eZ0y9g0krPXUkj7xQb368U8yLPDpu',
  '1zw9RL46pIOfvLz2Krmc13C8b0CEPHK3KTyOH4e7czqePNT+kLuOyPq8KOz8u7m/TT100kg8l2uPveQkJrwKeNe8hYCpvKaHSryN',
  'WK280nAWvbTLTD3DC+2738ScPNp9NDweH8687oBxPV74PrwWNYU9VKiFPGj3Oj0DAWm8IHTSu/KQo7ynCxE8TjWMvNstFD1csS89',
  'Q056vf87mrxJlvg82JEFu3adHb3zOLU83JeaO/4537sb8AC9FBHVvG0VZz2xlJy7KycVPXzMAb1Yd5Y9gxBTPEOx8b1sYjQ86Pee',
  'PE8QLLxPowK8ksFQvaiLC71cRhY88LI9vI880TygzMi8zV5qvYr6yzx9Qla8kJXaudIWZD0bkkE8RF8cPXShkz3LXiW88reNvN7G',
  'Gb2nXtU6o/eVPUhQtzxusrC861+4vFOdLj1OK5k9pxgLPddKFLtcksE8ANBoveX+HD15D6W8qYVEPaC3sbw2ZAA9CHYsve5UkT3G',
  'vlW9dTx7ve4TqjurA6k7RkDJujM6QT0TvS+9fuOPPGqD4zwCZME8A8iZPHIBJz2FcrW86OMaPCBEkDpq4ew8zOUZO2jGjT1F1vg8',
  't94AvTDGTLzCJfA8c7ZtvFtAgjzpFvC8Z49avbjLiz1/xyQ98o7FvEYQErvxFeQ8S+bFPCITgbxw+1U97jgsvVMvyTvDgb+8VCQl',
  'vWMDmDsryKa7/FOHPL5Gh7y7hza8B93CuUweRz297yu8LkKwvEcSQTzYQka87aZ1vaLRib3RhJA9WSGYOyYC3zxGsD890zswvYkG',
  'FrwqGge9ldsVvDwqkrzMdDQ8gXIkPTSr67xEwiM9Z7B5PAaS9rzQ4sW7zS+fvCu9Yz1IeXM94rsSPZPYcTz7tHC8kifwPIFDer0m',
  'Rxg9TzwPPZOdDL36XMU8sueSvJxHaDpbRR2871AXPJr5lDqc89M8TcQ2vOFrgLx1noO8SOaPOwHTTLugJN48rnwqPUK6jLzwi/c8',
  'G+I5vLJHk7yfOhy9ZlcGO+bxOT1SKYW8sW1Mve5xOrupCqC7N+hevZXD7bsSNK+7hgkJPFR+ML0hwZi72zW0O8D3D7v/qeC8CBwK',
  'vMnnOL2AeDc8kjclPdBwNj2RZKY9sRcgvV4rCT2eBNo7FpcIPBHNhDwyfLq7/+GwPC/iUDplWDo9m77sPK9E8zzb5hc9UdOlPO7r',
  'czuq/U093lrSPPPbND2h44K8ddoxPANGPL3qIYo8qSv4vJhVMj2CQcS8jnGyvEhatjtggUU8uTXovPGYZj3dHp+9b0F3vc3JRzxS',
  'j4s8AYG/vNNc0DsCekC9/X5KOaQ2lTv7ija7aYsgPdOiuTpSGng8NviKvJeZObyym6G99qiSPBxLOT1W/cQ7xOMZvA==',
].join('');
