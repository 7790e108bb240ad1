/**
 * The server side of the Connect protocol (https://connectrpc.com/docs/protocol), JSON codec
 * only, which is what the `e2b` SDK sends (`useBinaryFormat: false`):
 * - unary: `POST /<service>/<Method>`, `Content-Type: application/json`, the message as the
 *   body; an error is a non-200 status with `{ code, message }`;
 * - server streaming: `Content-Type: application/connect+json`, the request and every
 *   response message in an envelope (1 flag byte, 4-byte big-endian length, JSON), closed by
 *   an end-of-stream envelope (flag 0x02) holding `{}` or `{ error: { code, message } }`.
 * Keepalive messages (envd's `Keepalive-Ping-Interval` header, in seconds) and deadlines
 * (`Connect-Timeout-Ms`) are handled here for every streaming method.
 *
 * @module
 */

/** Connect error codes (the protocol's string names). */
export type ConnectCode =
  | "canceled"
  | "unknown"
  | "invalid_argument"
  | "deadline_exceeded"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition"
  | "aborted"
  | "out_of_range"
  | "unimplemented"
  | "internal"
  | "unavailable"
  | "data_loss"
  | "unauthenticated";

const HTTP_STATUS: Record<ConnectCode, number> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

/** An RPC failure with its Connect code. */
export class ConnectError extends Error {
  /** `code` is sent on the wire; `message` becomes the SDK error's text. */
  constructor(readonly code: ConnectCode, message: string) {
    super(message);
    this.name = "ConnectError";
  }
}

/** The reason a stream's signal aborts when its `Connect-Timeout-Ms` passes. */
export class DeadlineError extends ConnectError {
  /** Carries the deadline in milliseconds. */
  constructor(ms: number) {
    super("deadline_exceeded", `Deadline of ${ms} ms exceeded`);
  }
}

/** A decoded JSON message. */
export type JsonObject = Record<string, unknown>;

/** What a handler gets besides the message. */
export interface CallContext {
  readonly headers: Headers;
  /** Aborts when the client goes away or the deadline passes (reason: {@link DeadlineError}). */
  readonly signal: AbortSignal;
}

/** A unary method. */
export type UnaryMethod<C> = (message: JsonObject, context: C) => Promise<JsonObject>;

/** A server-streaming method; `keepalive` is the message sent when it is quiet. */
export interface StreamMethod<C> {
  readonly stream: (message: JsonObject, context: C) => AsyncIterable<JsonObject>;
  readonly keepalive: JsonObject;
}

/** One method of a service, by kind. */
export type Method<C> = { readonly unary: UnaryMethod<C> } | StreamMethod<C>;

const END_STREAM = 0x02;
const COMPRESSED = 0x01;
const encoder = new TextEncoder();

function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  return new ConnectError("internal", error instanceof Error ? error.message : String(error));
}

function errorJson(error: ConnectError): JsonObject {
  return { code: error.code, message: error.message };
}

/** Frames one JSON message as a Connect envelope. */
export function envelope(flags: number, message: JsonObject): Uint8Array<ArrayBuffer> {
  const data = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(5 + data.length);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, data.length);
  frame.set(data, 5);
  return frame;
}

async function readEnvelopedRequest(request: Request): Promise<JsonObject> {
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length < 5) throw new ConnectError("invalid_argument", "Request envelope is truncated");
  if ((body[0]! & COMPRESSED) !== 0) {
    throw new ConnectError("unimplemented", "Compressed request messages are not supported");
  }
  const length = new DataView(body.buffer, body.byteOffset).getUint32(1);
  if (body.length !== 5 + length) {
    throw new ConnectError("invalid_argument", "Request envelope length does not match its body");
  }
  return parseMessage(new TextDecoder().decode(body.subarray(5)));
}

function parseMessage(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new ConnectError("invalid_argument", "Request message is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConnectError("invalid_argument", "Request message is not a JSON object");
  }
  return value as JsonObject;
}

/** Serves a unary call: JSON in, JSON out, errors as `{ code, message }` with their status. */
export async function serveUnary<C>(
  request: Request,
  method: UnaryMethod<C>,
  context: C,
): Promise<Response> {
  try {
    const message = parseMessage(await request.text());
    return Response.json(await method(message, context));
  } catch (error) {
    const connectError = toConnectError(error);
    return Response.json(errorJson(connectError), { status: HTTP_STATUS[connectError.code] });
  }
}

const QUIET = Symbol("quiet");

function keepaliveMs(headers: Headers): number {
  const seconds = Number(headers.get("keepalive-ping-interval"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/**
 * Serves a server-streaming call. `makeContext` receives the call's signal, which aborts when
 * the client cancels (or disconnects), when `Connect-Timeout-Ms` passes, or when `stop`
 * aborts (the server is closing).
 */
export async function serveServerStream<C>(
  request: Request,
  method: StreamMethod<C>,
  makeContext: (signal: AbortSignal) => C,
  stop?: AbortSignal,
): Promise<Response> {
  // A client that goes away cancels the response body (see `cancel` below); request.signal
  // is not used, since Deno.serve also aborts it after every successful response.
  const abort = new AbortController();
  const onStop = () =>
    abort.abort(new ConnectError("unavailable", "The envd stand-in is stopping"));
  stop?.addEventListener("abort", onStop, { once: true });
  const timeoutMs = Number(request.headers.get("connect-timeout-ms"));
  const deadline = timeoutMs > 0
    ? setTimeout(() => abort.abort(new DeadlineError(timeoutMs)), timeoutMs)
    : undefined;
  const finish = () => {
    clearTimeout(deadline);
    stop?.removeEventListener("abort", onStop);
    if (!abort.signal.aborted) abort.abort(new ConnectError("canceled", "Stream finished"));
  };
  let iterator: AsyncIterator<JsonObject>;
  try {
    const message = await readEnvelopedRequest(request);
    iterator = method.stream(message, makeContext(abort.signal))[Symbol.asyncIterator]();
  } catch (error) {
    finish();
    return streamResponse(envelope(END_STREAM, { error: errorJson(toConnectError(error)) }));
  }
  const interval = keepaliveMs(request.headers);
  let pending: Promise<IteratorResult<JsonObject>> | undefined;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        pending ??= iterator.next();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const quiet = interval > 0
          ? new Promise<typeof QUIET>((resolve) =>
            timer = setTimeout(() => resolve(QUIET), interval)
          )
          : new Promise<never>(() => {});
        const next = await Promise.race([pending, quiet]).finally(() => clearTimeout(timer));
        if (cancelled) return;
        if (next === QUIET) {
          controller.enqueue(envelope(0, method.keepalive));
          return;
        }
        pending = undefined;
        if (!next.done) {
          controller.enqueue(envelope(0, next.value));
          return;
        }
        // A stream cut short by its deadline or by the server stopping ends with that error.
        const reason = abort.signal.aborted ? abort.signal.reason : undefined;
        const cut = reason instanceof ConnectError && reason.code !== "canceled";
        controller.enqueue(envelope(END_STREAM, cut ? { error: errorJson(reason) } : {}));
      } catch (error) {
        if (cancelled) return;
        controller.enqueue(envelope(END_STREAM, { error: errorJson(toConnectError(error)) }));
      }
      controller.close();
      finish();
    },
    cancel() {
      cancelled = true;
      abort.abort(new ConnectError("canceled", "Client cancelled the stream"));
      finish();
    },
  });
  return streamResponse(body);
}

function streamResponse(body: BodyInit): Response {
  return new Response(body, { headers: { "content-type": "application/connect+json" } });
}
