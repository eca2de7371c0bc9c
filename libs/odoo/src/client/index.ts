export * from './odoo.client';
export * from './odoo.errors';
export * from './odoo.types';
export * from './odoo-datetime';
