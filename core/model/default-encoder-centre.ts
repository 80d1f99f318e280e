/**
 * The mean of the default encoder's pooled, L2-normalised descriptors (448 float32, little-endian) over
 * 929 images of bench/fetch-corpus.sh's corpus
 * (the originals and distractors of its tuning half; no labels used).
 * Subtracting it spreads unrelated images around cosine 0; it is part of the model, so of its pinned hash.
 * Written by bench/fit-default-encoder.ts.
 */
export const DEFAULT_ENCODER_CENTRE_BASE64 = [
  '4BSFPSIEh7zK5ne9rWCVPIKS9rvy5oO8n4RkvFuWc71Pwna8xcFaPb3Rjb1lmqG8imkvPBqSxDyo6sy8bIzCvHuD/bx0cTk88X8x',
  'PTi8u7wJ34K9p211vb4VXL0zNxG9bh6LPPT/nbzQw208nTALPDcty7r00548IJjPPJNcUr299bs8XWf2u7mWNTyoepA9X4kSvU9U',
  '/bq8hUA9tDDOvCifHjz/NxK9lCIVvY/sLT3ASPq8x8zBu9DPOTzHfLy8JwNDPcMRqry2rGe9UmEjvX6VPb123mK8xmVoPaB9KL39',
  'qBW9lTHmu7IO/LvwwzQ8Hif0POrRWDw06+y8aMCvPBsaMD0HaVW984eBvc8VAb0spL082ri6vBRm8jxCHlS9LvsTvXgXR70xOiW9',
  'ZZbgPAs03Tx/Y1U8/GqTvRkcD702opQ8L9AzvTTpsDvdFDI9Zok8PDkYJD2OncI8fvgOPD68eDv/dBG9bgsbvPjmNb3jN7Q71N6H',
  'PXnTMb2lk4u8TVxFvSNXUzwRGww8exC6vE9Zj7qQbfK7U91QPMLEh7zZ3sU6kxcrPChSTjw0/QU9ku7gPK5qgzy05P87ui9XvBlY',
  'Qb3luwg9bp06PadjGLvJlXk90CUxPQA/DTtAKww9lSQzPIzl/zzhhDA7S8ECPStlKD28FCI9G+o7vX8koLuXRD49x4jhvG/U4Tyg',
  'Rpk6KxQlu/+Ggj1dQba8Qp9GPD1qT720GgS927ESPY+CWz2lWvY886vrvA7phbwgn/e8RRkEvY/owTwU1CE8ZOmDvU30Rz2Gc/e8',
  'zwDCvGbncbw25qI6jmUAPU75g73hbhW9eIMGPb2piT2OlNq8Tpa+vOM5IjzvbMS8pmWZvVPakb13R6E8rdSBPAJ7Lj0fLoI7Hz+u',
  'uwlXeb1LEFa8apTOvH+JIrxCr8K6k2RMvfY5CT0wDfm8QMmhO6CS/LtGhEM9gITwPDfSHT0Ppeu8CzgVPTxvGbz01qW8osGmPC8z',
  '+jyqzQ+75Y3evFNhKjwr5Vy8VA0ju3Y/CzzQ/Zo7DNmNPGUMBDxkZZC8NwjUOzR5Kj2f/Rw8j8CVvRwBpbr4twy9k4D6vLf9VLx2',
  'Z0e8HhG1vNMCOD1fpVu8TgQWPDn96jyEtmO8d2gdPfuCAL0NsGY9cIO+PAPTRT1N8qW6M7lDu7grFr3q4vM6bEZevJSvIj0a9hs9',
  'cNZ0vf95sbwOYxY90/JgvJ8sRL391Pw8iWwNvNIkODtHZnu8XsmkvJ61Pj0ZXFS6FTQ/PYbuYrzst5Y9QI1lPLF1C74sogQ8AY+p',
  'PKXOH7ug+nQ7gqVnvXOUFL3N3JQ57Eeju+jM1DyQTry8Y+Zqvd5O9zzE+Uu8pRK2Ol6HPD369GE6+ZAvPT4Klj389su8hxjbvBu5',
  'Nb21Xvy7g62IPYtdCT2/hOq8Zw9NvTACFT0V4GY9gCuqPMnjQLtrh7c8Lt23veMA3TzLCCm8GjdgPR0hAryxaJc8GewZvailoT0f',
  'lHC9oZmHvXpkJDxNGKY7pfKzuxyhMD3uNdW8dflgPDbnYzx9Oss8M0xxvB+C9Dzhj+W8+ImkOL813Dr4EN08Qd3RuwWRVT2VqB89',
  '+wIKvUvRlbxB0h08b49RvImTxTxaZpm85LNNvWCQbj3Hjl09GiwFvM4jsLzcAek8ADz4PFvB4rw0tFs9jxQqvU/lTztbJuO52pKA',
  'vcLpHzyMxMo536OjPCHJTLxUxYu8w7IIuq0XgT3WA6W8Zvq/vG1WNDwMchS8799rvbXpsb07W1Q99b8aPBRIzTyvjS49Ykk8vQGQ',
  'aDxpMLm8U4m5O8YMLryKaZw6cs7gPCsb8rwk29c8CA1TPOqsEL3mgL87lLMAvY+ilD1uBV096GFSPYFuojoSc5C8/0FFPHVEib13',
  'jBI9Sk4yPaytLb0ERdU8K12rvDlGTjvLDKK8ujCvPAa1tDsbvwU9B+Wbu8P/CTsPz/68bzuhOTGFjLy7g6U89PYUPQBuUDuiZq88',
  'ue9CvOcF+7xDFtC8B1KiuzWxXT1X8li8BIg9vfgenTv6XmW8s3qMvTpxfDsEUgm8F9DXu9AgE70yeSK70D3TPL24U7ysPCG8Qgaw',
  'OzFqdb0bIRc88VJYPYY8vjzCEJ09MxhFvZwaGD3mOYI86hxJPDzXeTz6dc87vKFNPB84Ybw7ox49gRBLPCznED1SVvI8rY+dPA3P',
  'BDsDTio91ErEPMnlKD3eTqy7whGSPN3FCL3VPes82dkDvQsS3DyKAqW8B/RBvLUvHTvZeb889IHGvJ4qTz35faG9ijh4veAK3Du9',
  'UOc8WZIXvXFOMbxTsQ29ULx9Ow7tt7tDjmI7hBUsPfDMCLypznM7M8y9vBggPLl5A3e9w8ixPOSPwTyEv2862ULevA==',
].join('');
