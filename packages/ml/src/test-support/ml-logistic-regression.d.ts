// ml-logistic-regression ships no types; the reference test uses only this much of it.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    train(features: Matrix, target: Matrix): void;
    predict(features: Matrix): number[];
  }
}
