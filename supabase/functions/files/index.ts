// The `files` Edge Function: single-file upload, download, delete, history and diff. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { FileService } from "./file_service.ts";
import { createFilesHandler } from "./handler.ts";

const context = contextFromEnv();
const service = new FileService({ db: context.db, blobs: context.blobs });
Deno.serve(createFilesHandler({ service, authenticate: authenticator(context.db) }));
