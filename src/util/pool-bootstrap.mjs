// Worker entry when mlloop runs from its TypeScript sources (tsx, vitest): `new Worker("x.ts")`
// fails there, so this plain module registers tsx's loader and then imports the real entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
