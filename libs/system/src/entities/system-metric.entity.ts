import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '@app/database/transformers';

/** One sample of a resource metric (cpu, gpu, memory, disk, network). */
@Entity({ name: 'system_metrics' })
@Index('idx_system_metrics_category', ['category'])
@Index('idx_system_metrics_timestamp', ['timestamp'])
export class SystemMetricEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_system_metrics' })
  id: string;

  @Column({ name: 'category', type: 'varchar', length: 50 })
  category: string;

  @Column({ name: 'label', type: 'varchar', length: 255 })
  label: string;

  @Column({ name: 'value', type: 'numeric', precision: 10, scale: 2, transformer: numericTransformer })
  value: number;

  @Column({ name: 'unit', type: 'varchar', length: 20, nullable: true })
  unit: string | null;

  @Column({
    name: 'limit_value',
    type: 'numeric',
    precision: 10,
    scale: 2,
    nullable: true,
    transformer: numericTransformer,
  })
  limitValue: number | null;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
