/**
 * A QR code as an image of whole pixels: uqr's SVG with every module exactly
 * PIXELS_PER_MODULE CSS pixels wide, the standard 4-module quiet zone and a white background, so
 * phone cameras (and the e2e test's decoder, reading a screenshot) see sharp edges in any colour
 * scheme. An <img> of a data: URL (allowed by the CSP's img-src) rather than injected markup.
 */
import { useMemo } from "react"
import { encode, renderSVG } from "uqr"

export const PIXELS_PER_MODULE = 6
const QUIET_ZONE_MODULES = 4

export const QrCodeImage = ({ text, label }: { readonly text: string; readonly label: string }) => {
  const image = useMemo(() => {
    const options = { ecc: "M" as const, border: QUIET_ZONE_MODULES }
    const side = encode(text, options).size * PIXELS_PER_MODULE
    const svg = renderSVG(text, { ...options, pixelSize: PIXELS_PER_MODULE, whiteColor: "#ffffff", blackColor: "#000000" })
    return { side, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` }
  }, [text])
  return <img className="qr-code-image" src={image.src} width={image.side} height={image.side} alt={label} />
}
