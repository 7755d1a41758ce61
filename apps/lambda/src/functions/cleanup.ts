/** Lambda entry of the scheduled (EventBridge) check of the tables' TTL; see Cleanup.ts for why it deletes nothing. */
import { cleanupFunction } from "../Cleanup.js"

export const handler = cleanupFunction()
