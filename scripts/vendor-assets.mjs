// Copies the browser builds the portal serves from node_modules into portal/static/vendor:
// the Socket.IO client and the jsQR decoder.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "portal", "static", "vendor");
mkdirSync(target, { recursive: true });
for (const file of ["socket.io.min.js", "socket.io.min.js.map"]) {
  copyFileSync(join(root, "node_modules", "socket.io-client", "dist", file), join(target, file));
}
// The QR code reader of the check-in page's badge scanner, where the browser has no
// BarcodeDetector (js/badge_scanner.js loads it only then).
copyFileSync(join(root, "node_modules", "jsqr", "dist", "jsQR.js"), join(target, "jsQR.js"));
