import { expect } from 'chai';
import { grants, rolesOf } from '../../api/src/auth/roles.js';

describe('api: roles from Keycloak claims', function () {
  it('takes realm roles and the roles of this client only', function () {
    const roles = rolesOf(
      { realm_access: { roles: ['user', 'offline_access'] }, resource_access: { 'gx-api': { roles: ['admin'] }, other: { roles: ['user'] } } },
      'gx-api',
    );
    expect([...roles].sort()).to.deep.equal(['admin', 'user']);
    expect([...rolesOf({ resource_access: { other: { roles: ['admin'] } } }, 'gx-api')]).to.deep.equal([]);
  });

  it('ignores unknown roles, odd shapes and inherited keys', function () {
    expect(rolesOf({ realm_access: { roles: ['Admin', 'superuser', 42, null] } }, 'gx-api').size).to.equal(0);
    expect(rolesOf({ realm_access: { roles: 'admin' }, resource_access: { 'gx-api': { roles: { 0: 'admin' } } } }, 'gx-api').size).to.equal(0);
    expect(rolesOf({ resource_access: {} }, 'constructor').size).to.equal(0);
  });

  it('admin implies user, not the reverse', function () {
    expect(grants(new Set(['admin']), 'user')).to.equal(true);
    expect(grants(new Set(['user']), 'admin')).to.equal(false);
    expect(grants(new Set(), 'user')).to.equal(false);
  });
});
