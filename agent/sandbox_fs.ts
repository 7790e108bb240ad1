/**
 * The sandbox file-system interface the agent syncs through, defined once in
 * `shared/sandbox_fs.ts` so the agent (a local directory, `LocalFs`) and the E2B
 * bridge (`E2bFs`) implement the same contract.
 *
 * @module
 */
export type { FileWriter, FsEntry, FsEvents, FsWatch, SandboxFs } from "../shared/sandbox_fs.ts";
