export * from './stream-url';
export * from './stream-error';
export * from './ffmpeg-args';
export * from './probe-result';
export * from './jpeg-splitter';
export * from './child-registry';
export * from './ffmpeg.client';
export * from './frame-sampler';
