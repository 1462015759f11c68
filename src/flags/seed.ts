/** The example flag every new Vexil installation starts with, and that the docs and tests use. */
import type { Flag } from './model.js';

/** `new_checkout`: staff first, then 10% of premium and enterprise customers, plus two named users. */
export function seedFlag(now = new Date()): Flag {
  const expiresAt = new Date(now.getTime() + 90 * 24 * 3600 * 1000).toISOString();
  const production = {
    on: true,
    offVariation: 'off',
    rules: [
      {
        id: 'staff',
        description: 'Company staff',
        condition: 'email endsWith "@company.com"',
        serve: { variation: 'on' },
      },
      {
        id: 'paying-10pct',
        description: '10% of premium and enterprise customers',
        condition: 'plan in ["premium","enterprise"]',
        serve: {
          rollout: {
            weights: [
              { variation: 'on', weight: 10_000 },
              { variation: 'off', weight: 90_000 },
            ],
          },
        },
      },
      {
        id: 'beta-users',
        description: 'Named beta users',
        condition: 'userId in ["user_123","user_456"]',
        serve: { variation: 'on' },
      },
    ],
    defaultServe: { variation: 'off' },
  };
  return {
    key: 'new_checkout',
    name: 'New checkout',
    description: 'The redesigned checkout flow',
    kind: 'release',
    valueType: 'boolean',
    variations: [
      { key: 'on', value: true, name: 'New checkout' },
      { key: 'off', value: false, name: 'Old checkout' },
    ],
    tags: ['checkout'],
    owner: 'team-payments',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    expiresAt,
    archived: false,
    version: 1,
    salt: 'new_checkout',
    environments: { development: production, staging: production, production },
  };
}
