/**
 * Imported first by the page: the page's Content-Security-Policy forbids eval, and zod would otherwise
 * probe for it (logging a violation) the first time a schema is built. Jitless zod validates the same.
 *
 * @example
 * import "./zodConfig.ts"; // before anything that imports the graph reader
 */
import { z } from "zod";

z.config({ jitless: true });
