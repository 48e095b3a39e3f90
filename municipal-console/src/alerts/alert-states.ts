/** The states of an alert and of each of its revisions (checked by the tables' constraints, migrations 001 and 004). */
/** An alert ends 'lifted' (解除: the danger is over) or 'cancelled' (取消: sent in error, or withdrawn before it went out). */
export type AlertState = 'draft' | 'pending-approval' | 'active' | 'lifted' | 'cancelled' | 'expired';
export type RevisionState = 'draft' | 'pending-approval' | 'fanning-out' | 'published' | 'rejected' | 'superseded';
