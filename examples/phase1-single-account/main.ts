import { addCompliancePacks, buildPhase1 } from './app';
import { exampleApp } from '../example-app';

const app = exampleApp(__dirname);
buildPhase1(app);
addCompliancePacks(app);
app.synth();
