import { ChatBusContract } from "../../src/Chat/contract/index.js"
import { ChatBusMemory } from "../../src/Chat/memory/index.js"

ChatBusContract.suite("memory", ChatBusMemory.layer)
