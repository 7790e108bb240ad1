/** Base64 for test payloads: the wire's own encoder. */
export { encodeBase64 } from "../../shared/base64.ts";
