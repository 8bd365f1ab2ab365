import * as fs from 'fs';
import { PROFILE_TABLE_FILE, renderProfileTable } from '../../scripts/profile-table';
import { StageProfiles } from '../../src';

describe('docs/profiles.md', () => {
  test('is what scripts/profile-table.ts generates from src/profiles (run `npx ts-node scripts/profile-table.ts` after changing a profile)', () => {
    expect(fs.readFileSync(PROFILE_TABLE_FILE, 'utf8')).toBe(renderProfileTable());
  });

  test('lists every field of every sub-profile, with its documentation', () => {
    const page = renderProfileTable();
    for (const [group, fields] of Object.entries(StageProfiles.PRODUCTION)) {
      if (group === 'stage') continue;
      for (const field of Object.keys(fields as object)) {
        expect(page).toMatch(new RegExp(`\\| \`${group}\\.${field}\` \\| [^|]+ \\| [^|]+ \\| [^|]*[A-Za-z][^|]* \\|`));
      }
    }
  });
});
