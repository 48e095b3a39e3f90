/** Demo staff of the municipal console. Real deployments create staff through the admin API. */
export const DEMO_STAFF = [
  { username: 'issuer', password: 'demo-issuer-pass', displayName: '防災課 発令担当', roles: ['viewer', 'issuer'] },
  { username: 'approver', password: 'demo-approver-pass', displayName: '防災課長', roles: ['viewer', 'approver'] },
  {
    username: 'admin',
    password: 'demo-admin-pass',
    displayName: '情報政策課 管理者',
    roles: ['viewer', 'issuer', 'approver', 'admin'],
  },
] as const;
