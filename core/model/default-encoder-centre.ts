/**
 * The mean of the default encoder's pooled, L2-normalised descriptors (448 float32, little-endian) over
 * 699 images of bench/fetch-corpus.sh's corpus
 * (the originals and distractors of its tuning half; no labels used).
 * Subtracting it spreads unrelated images around cosine 0; it is part of the model, so of its pinned hash.
 * Written by bench/fit-default-encoder.ts.
 */
export const DEFAULT_ENCODER_CENTRE_BASE64 = [
  'ePmIPYqxbLw521y9WdabPLvyZrtksY28rqhAvNInhL0OlXi8RAVVPUijmb0j/pm8lcKOPMA6mjxX6ga9+/q0vL61Bb0l5j885+gW',
  'PVpxmbwXXIi9w5ZpvVMxZb0YmiO9nuuYPGtwlbwQdno8UHrJO1QjnbsC0qU8HsnrPHmhQ72iksM8yyUBvPrlCjw+7pU9FR4UvbWt',
  'b7uccTU9f4fWvKKpETyGCv+8t3sPvYXXLT0oejK9DXsPvHifPTzAya68tVk/PfhWq7zSpGO9ZnQ5vSS9QL3ag0S8+2RZPWZJEb21',
  'mRW9/kDCu8scDby9BX47r7/2PIFjjjwwDfG8ZGbAPB1/LD3tFFW92iB8vaeD8rxaOMk81VLevOtrBD2kyka9rpgGvUNhS70UbBu9',
  'n+DRPPVS0jzf3TY8oneZvSYkCL1xIYI8aGs/vcQ2Djxbyz89K4FdPIeVFT03cco8VX9WPI5IHbtoRB+9LN6Bu6fYRL2unrA7CZyS',
  'PbojQ72naLm8C91RvdTQJTxEuX08j96kvOFB0bhYsRy8nZRaPB12VryFw5o68UGoO39ffDwWxgk9cGfHPNmMNTxcA687Q/1cvDsE',
  'Lb3N5PE8TJlDPTc8srtv8Hk9hyswPbz0jDpE4BA9gEHpO5ieCD1kTwo7EYQLPWb/Lj32cSc9ZLsyvbBLVbpKki09qpbWvE8e9jyf',
  'MlI7fhIXuvlpfD0Zx9a8w2I/PNPEUL2VXAa9G7AZPbOycj2+LcY8EfYCvT6YqLz3qey8t+4EvQ1wtzwsObM7KHmFvUr3Oz2PXs28',
  '7qCzvH6ilbzZsUc7G8PuPPxyhb0Cp/68OpYMPeQ/iT2UUM68BHzFvAlSAjzNkMW8PlucvbELjL14kNI82xefPKahKT1VxyQ7P7Eb',
  'vJ6Mbr29RT+8ynjHvHkoNLy1WUo6p3ZVvfYH7TxTdfu8WwaJOwqBmLsMNzA9acIGPab4Hj2X2BS9rvUoPYBFfrxg9b+8InfBPJBu',
  '8zxPXcm75irCvOIeVzwYGGS8KGylu+wAQzx3zcU54X2fPKth4DvlaoK8G7+nOzZkJj3gDgM8yZuivbi8Gzum1h693rrhvEsharyl',
  'kiy8pzjSvJHGMj0z7Im88L9jPI2V4jwqW228cCQbPehNBr1SpIE96KTBPHeMRz2xSQm7YSCrukivFL30Fro7PQ5VvNo8Kj0G6Rk9',
  'a8JvvVuslrwMPSA98EXnu+lMFL3bGvw8NJMFvGP2njvhxYa8ByulvFgeQz0WBhS724M2PVXULLwdvo49MzCBPFgkEL4mjSw8HWGj',
  'PLdou7vmNN65h8NsvdKODr2RtQo8+xsgvOvq4zy4FZ68RQhivVMSAz3GID+8FpYhu5oiLz1W29e5g1csPeTPkz0w5bm8UKbVvOwF',
  'Pb2mkuu7DbGIPcQ9Ij3Squu8tck3vUHXCT1BjG49QIKePNyp+Lv13588iku2vROr+DzTUB+8KJ9dPQ6NGLxfbqw894EWvZNWpj1j',
  'ymu97xOHvdujEjxwI785094QO3BuKT3qX9C8GbR1PHh4kjwAHsM8IMQ/vGq6Bj11qs+8+s+zOwwBWDsS77I8Sm4pu4zKXT3o0Ck9',
  'oQsCvYM0ibxK7f076ZYzvMoJxjyyzqy8Mc9avQmUej0yt1E9yQvfu+BkrLyAPe08/ygAPfAu0rxwLEI9KxYvvUGu2jtEW/i7L3B2',
  'vcbmEDxz+Jm6m4OfPOiyQLxsRlm8u3MLO8ujiT1K1ZG8zJDCvDuLUTxGrxm8GtSCvQvmq70LBE895cwuPIZM2TwLoi49g+wcvTFg',
  'Ojwz5qy8/4oCPH7JAbwDGYC7FBf6PO6o67xw+uY8eqY+PMJo7LwBFPw6kp/UvP5cjD3P/mM90Z1IPTPV5jpjvzy8KS1LPMY/hb1y',
  'SRw9/OghPWdbO70lRes8JSXRvMD4Jzs5S8C8OECPPLPt4Tr4hQI954XiupBcKrv5iue8+a7HO6XUibyeyq48HpcLPdcZzju4l3g8',
  't759vNRf5bzqrN68WHp7u13dWD0WX3O8GptIvZaKQLp350q8j+6FvaGOljsCfM274TCSuyING72kgiK8ZOGkPKftQLwNmG68WiLh',
  'uvCyfb0Kk0k8mYFUPR82wTzwv5k9kwUsvbbEJj1O1YI8X+0HPFiOnDwC3LM7GlBSPBrlDryk5x49zPuCPEinFj2m8hk9WrWmPC1/',
  '17qN+TY9n6zWPAnmKD37hGi74IuTPG6r7bzrC7U8fQTkvBsJ3zzzjJy8tYwUvNNu/DsFjZE8BffXvGPwbT2mH6W9wsOEve5PFDxG',
  'Meo81KoZvcn717v/hxu9vy50uju82btc+jU7+EAtPZB+MbxYddI73FBwvFy1hrsSCoa9ZMXfPJIQ9DyKfS48VPr/vA==',
].join('');
