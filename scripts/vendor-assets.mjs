// Copies the browser builds the portal serves from node_modules into portal/static/vendor.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "portal", "static", "vendor");
mkdirSync(target, { recursive: true });
for (const file of ["socket.io.min.js", "socket.io.min.js.map"]) {
  copyFileSync(join(root, "node_modules", "socket.io-client", "dist", file), join(target, file));
}
