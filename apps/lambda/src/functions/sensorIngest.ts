/** Lambda entry of the AWS IoT Core rule on `sensors/+/readings` (deviceId = topic(2)). */
import { sensorIngestFunction } from "../SensorIngest.js"

export const handler = sensorIngestFunction()
