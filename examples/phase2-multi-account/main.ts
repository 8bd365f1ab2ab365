import { buildPhase2 } from './app';
import { exampleApp } from '../example-app';
import { addCompliancePacks } from '../phase1-single-account/app';

const app = exampleApp(__dirname);
buildPhase2(app);
addCompliancePacks(app);
app.synth();
