/** Lambda entry of the AppSync resolver of Query.listMessages and Mutation.sendMessage. */
import { chatResolverFunction } from "../ChatResolver.js"

export const handler = chatResolverFunction()
