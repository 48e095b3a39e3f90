/** The states of an alert and of each of its revisions (checked by the tables' constraints, migrations 001 and 004). */
export type AlertState = 'draft' | 'pending-approval' | 'active' | 'cancelled' | 'expired';
export type RevisionState = 'draft' | 'pending-approval' | 'fanning-out' | 'published' | 'rejected' | 'superseded';
