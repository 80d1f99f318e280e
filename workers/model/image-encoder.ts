import * as ort from 'onnxruntime-node';
import { normaliseRows } from '../../core/clustering/vector-math';

/** Turns preprocessed pixel tensors [N,3,S,S] into unit vectors [N,D] with an image-encoder session. */
export class ImageEncoder {
  private readonly inputName: string;
  private readonly outputName: string;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly inputSize: number,
    readonly dimension: number,
  ) {
    this.inputName = session.inputNames[0];
    // Exports of CLIP's vision tower also output hidden states; the embedding is the one named image_embeds.
    this.outputName = session.outputNames.includes('image_embeds') ? 'image_embeds' : session.outputNames[0];
  }

  /** `pixels` holds `count` CHW images back to back; returns `count` L2-normalised rows. */
  async encode(pixels: Float32Array, count: number): Promise<Float32Array> {
    const side = this.inputSize;
    if (pixels.length !== count * 3 * side * side)
      throw new Error(`encode: ${pixels.length} values are not ${count} images of 3×${side}×${side}`);
    const input = new ort.Tensor('float32', pixels, [count, 3, side, side]);
    const outputs = await this.session.run({ [this.inputName]: input });
    const output = outputs[this.outputName];
    const dims = output.dims;
    if (dims.length !== 2 || dims[0] !== count || dims[1] !== this.dimension) {
      throw new Error(
        `Model output ${this.outputName} has shape [${dims.join(',')}], expected [${count},${this.dimension}] (embedding_config.dimension)`,
      );
    }
    // Copy out of ORT's buffer and normalise: the pipeline's vectors are unit length whatever the model ends with.
    return normaliseRows(Float32Array.from(output.data as Float32Array), this.dimension);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
