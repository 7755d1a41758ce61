/**
 * QR login (API.md "QR login"): the desktop starts a challenge and exchanges its poll secret, a
 * logged-in phone scans and decides. The SSE status stream is the realtime transport's; pollers
 * use the status route.
 */
import { QrChallengeId, QrDecisionInput, QrExchangeInput, QrLogin, QrScanInput, QrStatus } from "@app/domain"
import { Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { headerValue } from "../HttpExchange.js"
import { Instant } from "../Wire.js"
import { TokenPairBody } from "./AuthRoutes.js"

export const QrInitBody = Schema.Struct({
  challengeId: QrChallengeId,
  qrPayload: Schema.String,
  pollSecret: Schema.String,
  expiresAt: Instant
})
export const QrStatusBody = Schema.Struct({ status: QrStatus, expiresAt: Instant })
export const QrScanBody = Schema.Struct({
  status: Schema.Literal("scanned"),
  requester: Schema.Struct({ ip: Schema.String, userAgent: Schema.String, createdAt: Instant })
})
export const QrDecisionBody = Schema.Struct({ status: Schema.Literals(["approved", "rejected"]) })

export const ChallengeParams = Schema.Struct({ challengeId: QrChallengeId })

export const qrInit = endpoint({
  name: "qr.init",
  method: "POST",
  alsoMethods: ["GET"],
  path: "/api/qr/init",
  tag: "qr",
  summary: "Start a QR login challenge (expires in 120 s)",
  auth: "none",
  status: 201,
  response: QrInitBody,
  errors: [429],
  rateLimit: { policy: "qrInit", key: ({ request }) => request.remoteAddress },
  handle: ({ request }) =>
    QrLogin.use((qr) =>
      qr.init({ ip: request.remoteAddress, userAgent: headerValue(request, "user-agent") ?? "" })
    )
})

export const qrStatus = endpoint({
  name: "qr.status",
  method: "GET",
  path: "/api/qr/{challengeId}/status",
  tag: "qr",
  summary: "The challenge's status, for clients that poll",
  auth: "none",
  params: ChallengeParams,
  response: QrStatusBody,
  errors: [400, 404],
  handle: ({ params }) => QrLogin.use((qr) => qr.status(params.challengeId))
})

export const qrScan = endpoint({
  name: "qr.scan",
  method: "POST",
  path: "/api/qr/scan",
  tag: "qr",
  summary: "A logged-in phone scans the QR; answers where the request came from",
  auth: "bearer",
  body: QrScanInput,
  response: QrScanBody,
  errors: [400, 401, 404, 409, 410],
  handle: ({ actor, body }) => QrLogin.use((qr) => qr.scan(actor, body))
})

export const qrApprove = endpoint({
  name: "qr.approve",
  method: "POST",
  path: "/api/qr/approve",
  tag: "qr",
  summary: "Approve (only the user who scanned)",
  auth: "bearer",
  body: QrDecisionInput,
  response: QrDecisionBody,
  errors: [400, 401, 403, 404, 409, 410],
  handle: ({ actor, body }) => QrLogin.use((qr) => qr.approve(actor, body))
})

export const qrReject = endpoint({
  name: "qr.reject",
  method: "POST",
  path: "/api/qr/reject",
  tag: "qr",
  summary: "Reject (only the user who scanned)",
  auth: "bearer",
  body: QrDecisionInput,
  response: QrDecisionBody,
  errors: [400, 401, 403, 404, 409, 410],
  handle: ({ actor, body }) => QrLogin.use((qr) => qr.reject(actor, body))
})

export const qrExchange = endpoint({
  name: "qr.exchange",
  method: "POST",
  path: "/api/qr/exchange",
  tag: "qr",
  summary: "The desktop exchanges its poll secret for tokens, once",
  auth: "none",
  body: QrExchangeInput,
  response: TokenPairBody,
  errors: [400, 404, 409, 410],
  handle: ({ body }) => QrLogin.use((qr) => qr.exchange(body))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [qrInit, qrStatus, qrScan, qrApprove, qrReject, qrExchange] as const
