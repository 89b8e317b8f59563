import type { AssistantContext, TokenUsage } from '@ia-agents/core';
import { z } from 'zod';

/** What the model returns for a batch of headlines. */
export const headlineScoresSchema = z.object({
  /** One score per headline, by its index in the prompt. */
  scores: z.array(
    z.object({
      /** Index of the headline in the list given. */
      index: z.number().int().nonnegative(),
      /** Sentiment for the traded asset's price, -1 (very bearish) to 1 (very bullish). */
      sentiment: z.number().min(-1).max(1),
    }),
  ),
});

const SYSTEM = 'You rate financial headlines for their likely effect on the price of the named asset. Answer only with JSON matching the schema. Use 0 for headlines that do not bear on the price.';

/**
 * Scores headlines with the assistant's language model (through `context.generate`, so the call
 * is schema-checked, repaired once, cached and counted against the decision's token budget).
 * Headlines the model skipped keep `undefined`.
 * @example
 * const { scores } = await scoreHeadlinesWithModel(context, 'BTC', ['Bitcoin ETF approved']);
 */
export async function scoreHeadlinesWithModel(context: Pick<AssistantContext, 'generate'>, asset: string, titles: readonly string[]): Promise<{ scores: (number | undefined)[]; usage: TokenUsage }> {
  const prompt = `Asset: ${asset}\nHeadlines:\n${titles.map((title, index) => `${index}. ${title}`).join('\n')}`;
  const { object, usage } = await context.generate({ schema: headlineScoresSchema, system: SYSTEM, prompt });
  const scores: (number | undefined)[] = titles.map(() => undefined);
  for (const entry of object.scores) if (entry.index < titles.length) scores[entry.index] = entry.sentiment;
  return { scores, usage };
}
