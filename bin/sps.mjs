#!/usr/bin/env node
// Entry point for `npx sps`: runs the TypeScript CLI through tsx's loader, so the
// package ships its sources as they are and there is no build step to forget.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../controller/cli.ts");
process.exitCode = await main(process.argv.slice(2));
