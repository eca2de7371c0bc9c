export const X = 'hello';
