/**
 * Lambda entry of the AppSync resolver of Query.listMessages, Mutation.sendMessage and
 * Subscription.onMessage (who may subscribe to a room), over its own wiring (FunctionWiring.chatResolver).
 */
import { chatResolverFunction } from "../ChatResolver.js"

export const handler = chatResolverFunction()
