/**
 * Reads a QR code from a screenshot, as a phone camera would read the screen: the PNG decoded
 * with pngjs, the code found and decoded by jsqr. Works when the code's modules are whole pixels
 * (QrCodeImage draws them so).
 */
import jsQR from "jsqr"
import { PNG } from "pngjs"

/** The text in the QR code of `png`; throws when there is none. */
export const readQrCode = (png: Buffer): string => {
  const image = PNG.sync.read(png)
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height)
  if (code === null) throw new Error(`no QR code found in a ${image.width}x${image.height} screenshot`)
  return code.data
}
