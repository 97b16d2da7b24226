/**
 * A small corpus and the completions a chat model gave for it, as the OpenAI-compatible API returns them (content
 * with a Markdown fence, prose around JSON, an answer cut off at max_tokens, a paraphrased "excerpt", a reworded
 * duplicate, an item without excerpts, a question copied from its excerpt).
 */
export const CORPUS: Record<string, string> = {
  'arsenal.md': `# Little Rock Arsenal

The Little Rock Arsenal was a United States Army arsenal in Little Rock, Arkansas. Construction began in 1836 after Arkansas became a state, and the arsenal was completed in 1840 to store munitions for the western frontier.

In February 1861, Governor Henry Rector demanded the surrender of the arsenal. The Federal commander, Captain James Totten, agreed to leave after state militia companies gathered in the city, and his garrison marched out on February 8.

After the war the arsenal was decommissioned and the grounds became MacArthur Park in 1892. The tower building is now a museum of military history.
`,
  'refunds.md': `# Refund policy

Customers can request a refund within 30 days of purchase. Refunds are issued to the original payment method and usually reach the card within 5 business days.

Annual plans cancelled after 30 days are refunded pro rata for the unused months, minus a processing fee of 3 percent.

Gift cards, domain registrations and consulting hours are not refundable.
`,
  'api.md': `# API rate limits

Each API key may send 600 requests per minute. Requests over the limit receive HTTP 429 with a Retry-After header giving the seconds to wait.

Batch endpoints count each item in the batch as one request. Enterprise plans can raise the limit to 6000 requests per minute by contacting support.

Webhook deliveries are retried up to 8 times with exponential backoff over 24 hours.
`,
  'onboarding.md': `# Onboarding checklist

New engineers receive a laptop on their first day and must enable full-disk encryption before connecting to the office network.

Access to production databases requires a second approval from the on-call lead and expires after 12 hours.

Every new hire pairs with a buddy for the first two weeks and presents a short demo at the end of the first month.
`,
};

/** The assistant message content per document. */
export const COMPLETIONS: Record<string, string> = {
  // Fenced JSON: one good question, one that copies its excerpt, one whose "excerpt" is paraphrased.
  'arsenal.md': `\`\`\`json
{
  "questions": [
    {
      "question": "When was the arsenal in Little Rock finished, and what was it meant to hold?",
      "excerpts": ["the arsenal was completed in 1840 to store munitions for the western frontier"]
    },
    {
      "question": "What did the Federal commander, Captain James Totten, agree to after state militia companies gathered in the city?",
      "excerpts": ["The Federal commander, Captain James Totten, agreed to leave after state militia companies gathered in the city"]
    },
    {
      "question": "What became of the arsenal grounds after the Civil War?",
      "excerpts": ["After the war, the arsenal was decommissioned and its grounds became MacArthur Park in 1892."]
    }
  ]
}
\`\`\``,
  // Cut off at max_tokens: not JSON.
  'refunds.md': `{"questions": [{"question": "How long does a refund take to show up on my card?", "excerpts": ["Refunds are issued to the original payment method and usually reach the card within 5 business`,
  // Prose around the JSON; a reworded duplicate; an item without excerpts.
  'api.md': `Here are the questions:
{"questions": [
 {"question": "What happens when a client goes over the per-minute request quota?", "excerpts": ["Requests over the limit receive HTTP 429 with a Retry-After header giving the seconds to wait."]},
 {"question": "What happens when a client exceeds the per-minute request quota?", "excerpts": ["Requests over the limit receive HTTP 429 with a Retry-After header giving the seconds to wait."]},
 {"question": "How many times is a failed webhook delivery attempted again?", "excerpts": ["Webhook deliveries are retried up to 8 times with exponential backoff over 24 hours."]},
 {"question": "Can enterprise customers get a higher limit?"}
]}
I hope these help.`,
  // Two good questions, one answered by two excerpts.
  'onboarding.md': `{"questions": [
  {"question": "Who has to sign off before someone can query the production database?", "excerpts": ["Access to production databases requires a second approval from the on-call lead and expires after 12 hours."]},
  {"question": "What must a new engineer do before joining the office network, and who helps them during the first weeks?", "excerpts": ["must enable full-disk encryption before connecting to the office network", "Every new hire pairs with a buddy for the first two weeks"]}
]}`,
};
