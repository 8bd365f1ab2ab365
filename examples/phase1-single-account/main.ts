import { addCompliancePacks, addCostGuard, buildPhase1 } from './app';
import { exampleApp } from '../example-app';

const app = exampleApp(__dirname);
buildPhase1(app);
addCompliancePacks(app);
addCostGuard(app);
app.synth();
