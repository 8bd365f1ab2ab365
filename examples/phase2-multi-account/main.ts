import { buildPhase2 } from './app';
import { exampleApp } from '../example-app';
import { addCompliancePacks, addCostGuard } from '../phase1-single-account/app';

const app = exampleApp(__dirname);
buildPhase2(app);
addCompliancePacks(app);
addCostGuard(app);
app.synth();
