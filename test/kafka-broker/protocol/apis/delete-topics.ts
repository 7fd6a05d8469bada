/**
 * DeleteTopics (key 20)
 *
 *   DeleteTopics Request (Version: 1) => [topic_names (STRING)] timeout_ms (INT32)
 *   DeleteTopics Response (Version: 1) => throttle_time_ms [responses]
 *     responses => name (STRING) error_code (INT16)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export function decodeDeleteTopicsRequest(decoder: Decoder): { topics: string[]; timeoutMs: number } {
  return { topics: decoder.readArray((d) => d.readString()), timeoutMs: decoder.readInt32() };
}

export function encodeDeleteTopicsResponse(
  encoder: Encoder,
  response: { topics: Array<{ name: string; errorCode: number }> },
): void {
  encoder.writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => void e.writeString(topic.name).writeInt16(topic.errorCode));
}
