import { App } from 'aws-cdk-lib';
import { AppStack } from '../lib/app-stack';
import { loadDeploymentConfig } from '../lib/config';
import { addNagChecks } from '../lib/nag';

const app = new App();
new AppStack(app, 'AddMediaBackend', {
  description: 'Add new media to indexed visual datasets and re-cluster them on demand',
  config: loadDeploymentConfig(app),
});
addNagChecks(app);
