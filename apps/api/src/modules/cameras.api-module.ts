import { Module } from '@nestjs/common';
import { CamerasModule } from '@app/cameras';
import { CamerasController } from '../controllers/cameras.controller';

/** Cameras: registry, summary, import/export, connection tests and snapshots. */
@Module({ imports: [CamerasModule], controllers: [CamerasController] })
export class CamerasApiModule {}
