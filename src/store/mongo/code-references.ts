/**
 * Code-reference reports, one document per repository. The latest scan wins without a transaction:
 * the replace only matches a stored report scanned earlier, and the upsert of a repository that has
 * a later report then collides on `_id` (11000), which means "not stored".
 */
import type { CodeReferenceReport } from '../code-references.js';
import type { StoreCollections } from './collections.js';

export async function saveCodeReferences(collections: StoreCollections, report: CodeReferenceReport): Promise<boolean> {
  try {
    await collections.codeReferences.replaceOne(
      { _id: report.repository, scannedAt: { $lte: report.scannedAt } },
      { ...report },
      { upsert: true },
    );
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 11000) return false;
    throw error;
  }
}

export async function readCodeReferences(collections: StoreCollections): Promise<CodeReferenceReport[]> {
  const docs = await collections.codeReferences.find({}).toArray();
  return docs.map(({ repository, scannedAt, reportedAt, flags }) => ({ repository, scannedAt, reportedAt, flags }));
}
