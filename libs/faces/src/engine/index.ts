export * from './face-provider';
export * from './face-matcher';
export * from './face-quality';
export * from './classify';
export * from './image-validation';
export * from './human-engine.client';
export { createDotKernel, strideFor, type DotKernel } from './dot-kernel';
