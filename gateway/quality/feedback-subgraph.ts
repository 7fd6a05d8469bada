import { GraphQLError } from 'graphql';
import { buildSubgraph, type SubgraphRequestContext } from '../../adapters/kit/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import type { QualityConfig } from '../config/gateway-config.js';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import type { GatewayOwnedSubgraph } from '../runtime/gateway-owned-subgraphs.js';
import { memberStateOf } from './call-outcome.js';
import { FEEDBACK_CHANNELS, type FeedbackChannel, type FeedbackEntry, type FeedbackLog } from './feedback-log.js';
import { redactPersonalData } from './personal-data-redaction.js';
import { TokenBucketRateLimiter } from './token-bucket-rate-limiter.js';

/** The gateway-owned subgraph's name; its SDL is schemas/subgraphs/quality.graphql. */
export const QUALITY_SUBGRAPH = 'quality';

export type FeedbackRejection = 'disabled' | 'rate_limited' | 'unknown_service' | 'bad_rating' | 'bad_channel' | 'comment_too_long' | 'not_recorded';

export interface QualitySubgraphOptions {
  readonly feedback: QualityConfig['feedback'];
  /** Where feedback goes; undefined when service quality is off (the mutation then refuses). */
  readonly log: FeedbackLog | undefined;
  /** The services that accept feedback (those with an SLO or a probe). */
  readonly services: () => readonly string[];
  readonly now?: () => number;
  readonly onAccepted?: (entry: FeedbackEntry) => void;
  readonly onRejected?: (reason: FeedbackRejection) => void;
}

interface FeedbackArgs {
  readonly service: string;
  readonly rating: number;
  readonly comment?: string | null;
  readonly channel: FeedbackChannel;
}

/**
 * The `quality` subgraph: `submitServiceFeedback` for citizen-facing channels and
 * `feedbackServices`. Served in-process by the gateway in every mode (gateway-owned-subgraphs.ts).
 * The caller is known from the forwarded ClientId; only its member state is kept.
 */
export function createQualitySubgraph(options: QualitySubgraphOptions): GatewayOwnedSubgraph {
  const now = options.now ?? Date.now;
  const limiter = new TokenBucketRateLimiter({ burst: options.feedback.rateLimit.burst, refillPerMinute: options.feedback.rateLimit.refillPerMinute, now });
  const refuse = (reason: FeedbackRejection, code: ErrorCode, message?: string, extensions: Record<string, unknown> = {}): never => {
    options.onRejected?.(reason);
    throw new GraphQLError(message ?? ERROR_CODES[code].en, { extensions: { code, ...extensions } });
  };

  const typeDefs = readSubgraphSdl(QUALITY_SUBGRAPH);
  const schema = buildSubgraph(typeDefs, {
    Query: {
      feedbackServices: () => (options.log !== undefined && options.feedback.enabled ? [...options.services()] : []),
    },
    Mutation: {
      submitServiceFeedback: (_source: unknown, rawArgs: unknown, rawContext: unknown) => {
        const args = rawArgs as FeedbackArgs;
        const context = (rawContext ?? {}) as SubgraphRequestContext;
        const log = options.log;
        if (log === undefined || !options.feedback.enabled) return refuse('disabled', 'ERR_FEEDBACK_DISABLED');
        // Spent before validation, so malformed floods are limited too. The key lives in memory only.
        const decision = limiter.take(context.clientId ?? '(no client id)');
        if (!decision.allowed) {
          return refuse('rate_limited', 'ERR_RATE_LIMITED', `Too much feedback from this client; try again in ${decision.retryAfterSeconds} s.`, {
            retryAfterSeconds: decision.retryAfterSeconds,
          });
        }
        const services = options.services();
        if (!services.includes(args.service)) {
          return refuse('unknown_service', 'ERR_BAD_USER_INPUT', `Unknown service "${truncate(args.service, 64)}"; one of: ${services.join(', ')}.`, { argument: 'service' });
        }
        if (!Number.isInteger(args.rating) || args.rating < 1 || args.rating > 5) {
          return refuse('bad_rating', 'ERR_BAD_USER_INPUT', 'The rating must be a whole number from 1 to 5.', { argument: 'rating' });
        }
        if (!(FEEDBACK_CHANNELS as readonly string[]).includes(args.channel)) {
          // The schema's enum already guarantees it; kept so a stored entry is always valid.
          return refuse('bad_channel', 'ERR_BAD_USER_INPUT', 'Unknown channel.', { argument: 'channel' });
        }
        const raw = args.comment ?? '';
        // Characters as people count them (code points), not UTF-16 units: Arabic and emoji alike.
        if ([...raw].length > options.feedback.commentMaxChars) {
          return refuse('comment_too_long', 'ERR_BAD_USER_INPUT', `The comment is longer than ${options.feedback.commentMaxChars} characters.`, { argument: 'comment' });
        }
        const redacted = redactPersonalData(raw);
        const keepComment = options.feedback.storeComments && redacted.text !== '';
        const entry: FeedbackEntry = {
          v: 1,
          d: new Date(now()).toISOString().slice(0, 10),
          s: args.service,
          st: memberStateOf(context.clientId),
          c: args.channel,
          r: args.rating,
          ...(keepComment ? { m: redacted.text } : {}),
        };
        try {
          log.append(entry);
        } catch {
          return refuse('not_recorded', 'ERR_FEEDBACK_NOT_RECORDED');
        }
        options.onAccepted?.(entry);
        return {
          service: entry.s,
          rating: entry.r,
          channel: entry.c,
          recordedOn: entry.d,
          commentStored: keepComment,
          commentRedacted: keepComment && redacted.removed.length > 0,
        };
      },
    },
  });
  return { name: QUALITY_SUBGRAPH, typeDefs, schema };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
