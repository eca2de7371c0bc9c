import { Module } from '@nestjs/common';
import { FacesModule } from '@app/faces';
import { FacesController } from '../controllers/faces.controller';
import { HistoryController } from '../controllers/history.controller';

/** Face registry (profiles, images, embeddings, erasure) and a person's history. */
@Module({ imports: [FacesModule], controllers: [FacesController, HistoryController] })
export class FacesApiModule {}
