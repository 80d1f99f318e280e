import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** What a test got back over HTTP. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

interface DocumentedResponse {
  readonly headers?: Record<string, { $ref: string }>;
  readonly content?: Record<string, { schema: unknown }>;
}

interface DocumentedOperation {
  readonly operationId: string;
  readonly responses: Record<string, DocumentedResponse>;
}

interface OpenApi {
  readonly paths: Record<string, Record<string, DocumentedOperation>>;
  readonly components: { readonly headers: Record<string, { required?: boolean }> };
}

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Checks real HTTP answers against an OpenAPI 3.1 document: the status is one the operation documents, the body is
 * empty where none is documented, else `application/json` and valid (JSON Schema 2020-12, Ajv with formats) against the
 * documented schema, `$ref`s into the document resolved; required headers are present. Remembers which
 * `operationId status` pairs were seen.
 */
export class OpenApiResponses {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  readonly seen = new Set<string>();

  private readonly document: OpenApi;

  constructor(document: unknown) {
    this.document = document as OpenApi;
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'openapi');
  }

  /** Every `operationId status` pair the document declares. */
  documented(): string[] {
    return Object.values(this.document.paths).flatMap((methods) =>
      Object.values(methods).flatMap((operation) =>
        Object.keys(operation.responses).map((status) => `${operation.operationId} ${status}`),
      ),
    );
  }

  /** Throws, naming what differs, unless `answer` is one the document allows for `method` + `url`; returns its key. */
  check(method: string, url: string, answer: HttpAnswer): string {
    const found = this.operationOf(method, new URL(url, 'http://local').pathname);
    if (!found) throw new Error(`${method} ${url}: no operation of the document serves it`);
    const { path, operation } = found;
    const where = `${operation.operationId} (${method} ${url}) answered ${answer.status} ${answer.text.slice(0, 300)}`;
    const response = operation.responses[String(answer.status)];
    if (!response) throw new Error(`${where}: status not documented`);
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const component = this.document.components.headers[header.$ref.split('/').at(-1)!];
      if (component?.required && !answer.headers.has(name)) throw new Error(`${where}: header ${name} missing`);
    }
    const pointer = `#/paths/${escapePointer(path)}/${method.toLowerCase()}/responses/${answer.status}`;
    this.checkBody(where, answer, response.content ? `${pointer}/content/application~1json/schema` : undefined);
    const key = `${operation.operationId} ${answer.status}`;
    this.seen.add(key);
    return key;
  }

  /** Answers no operation documents (the local service's 405, an unknown path's 404): the error shape of the document. */
  checkError(answer: HttpAnswer): void {
    this.checkBody(`answer ${answer.status} ${answer.text}`, answer, '#/components/schemas/Error');
  }

  private checkBody(where: string, answer: HttpAnswer, schemaPointer: string | undefined): void {
    if (!schemaPointer) {
      if (answer.text !== '') throw new Error(`${where}: a body where the document says none`);
      return;
    }
    const type = answer.headers.get('content-type')?.split(';')[0]?.trim();
    if (type !== 'application/json') throw new Error(`${where}: content-type ${type}, documented application/json`);
    const validate = this.validator(schemaPointer);
    if (!validate(JSON.parse(answer.text)))
      throw new Error(`${where}: body does not match ${schemaPointer}: ${this.ajv.errorsText(validate.errors)}`);
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi${pointer}`);
      if (!validate) throw new Error(`No schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  private operationOf(method: string, pathname: string) {
    for (const [path, methods] of Object.entries(this.document.paths)) {
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
      const operation = methods[method.toLowerCase()];
      if (operation && pattern.test(pathname)) return { path, operation };
    }
    return undefined;
  }
}
