// The `files` Edge Function: single-file upload, download, delete, history and diff. Wiring only.
import { authenticator } from "../_shared/auth.ts";
import { contextFromEnv } from "../_shared/context.ts";
import { FileService } from "../_shared/file_service.ts";
import { createFilesHandler } from "./handler.ts";

const context = contextFromEnv();
const service = new FileService({ db: context.db, blobs: context.blobs });
Deno.serve(createFilesHandler({ service, authenticate: authenticator(context.db) }));
