import { Module } from '@nestjs/common';
import { OdooModule } from '@app/odoo';
import { OdooController } from '../controllers/odoo.controller';

/** Odoo: settings, connection test, starting syncs, their status and history. */
@Module({ imports: [OdooModule], controllers: [OdooController] })
export class OdooApiModule {}
