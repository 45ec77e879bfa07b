import { startApollo } from './fixtures.js';
import { describeDirectiveOverHttp } from './scenarios.js';

describeDirectiveOverHttp('Apollo Server', startApollo);
