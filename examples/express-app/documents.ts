import { randomUUID } from 'node:crypto';

/** A document of one organization. */
export interface StoredDocument {
  id: string;
  organizationId: string;
  title: string;
  author: string;
  createdAt: Date;
}

/**
 * The example's "database": documents kept in memory, partitioned by organization id so one tenant
 * can never list or delete another tenant's documents, whatever id is posted.
 */
export class DocumentStore {
  readonly #byOrg = new Map<string, Map<string, StoredDocument>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  list(organizationId: string): StoredDocument[] {
    return [...(this.#byOrg.get(organizationId)?.values() ?? [])].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  create(organizationId: string, title: string, author: string): StoredDocument {
    const doc: StoredDocument = { id: randomUUID(), organizationId, title, author, createdAt: new Date(this.#now()) };
    let docs = this.#byOrg.get(organizationId);
    if (!docs) this.#byOrg.set(organizationId, (docs = new Map()));
    docs.set(doc.id, doc);
    return doc;
  }

  /** Deletes a document of this organization; false when there is no such document in it. */
  delete(organizationId: string, id: string): boolean {
    return this.#byOrg.get(organizationId)?.delete(id) ?? false;
  }
}
