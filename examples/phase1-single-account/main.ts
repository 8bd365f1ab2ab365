import { App } from 'aws-cdk-lib';
import { addCompliancePacks, buildPhase1 } from './app';

const app = new App();
buildPhase1(app);
addCompliancePacks(app);
app.synth();
