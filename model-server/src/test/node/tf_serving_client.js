// An independent TF Serving client: @grpc/grpc-js with @grpc/proto-loader on TF Serving's own
// .proto files, and Node's fetch for REST. Usage: node tf_serving_client.js GRPC_PORT REST_PORT
// MODEL PROTO_DIR IMPORT_DIR BASE_PATH. Prints one JSON object with what each call returned.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [grpcPort, restPort, model, protoDir, importDir, basePath] = process.argv.slice(2);
const def = protoLoader.loadSync([
  'tensorflow_serving/apis/prediction_service.proto',
  'tensorflow_serving/apis/model_service.proto',
], {
  includeDirs: [protoDir, importDir],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const serving = grpc.loadPackageDefinition(def).tensorflow.serving;
const client = new serving.PredictionService(
    '127.0.0.1:' + grpcPort, grpc.credentials.createInsecure());
const modelService = new serving.ModelService(
    '127.0.0.1:' + grpcPort, grpc.credentials.createInsecure());
const deadline = () => ({deadline: Date.now() + 60000});
const call = (method, request, stub = client) => new Promise((resolve) => {
  stub[method](request, deadline(), (err, response) => {
    resolve(err ? {code: grpc.status[err.code], details: err.details} : response);
  });
});

async function main() {
  const out = {};
  const predict = await call('Predict', {
    model_spec: {name: model},
    inputs: {x: {dtype: 'DT_FLOAT', tensor_shape: {dim: [{size: 3}, {size: 1}]},
                 float_val: [1.0, 2.0, 5.0]}},
  });
  out.predict = predict.outputs ? predict.outputs.y.float_val : predict;
  out.predictVersion = predict.model_spec ? predict.model_spec.version.value : null;
  const example = (x) => ({features: {feature: {x: {float_list: {value: [x]}}}}});
  const regress = await call('Regress', {
    model_spec: {name: model, signature_name: 'regress_x_to_y'},
    input: {example_list: {examples: [example(80.0)]}},
  });
  out.regress = regress.result ? regress.result.regressions.map((r) => r.value) : regress;
  const classify = await call('Classify', {
    model_spec: {name: model, signature_name: 'classify_x_to_y'},
    input: {example_list: {examples: [example(20.0)]}},
  });
  out.classify = classify.result ?
      classify.result.classifications.map((c) => c.classes.map((k) => k.score)) : classify;
  const meta = await call('GetModelMetadata', {
    model_spec: {name: model}, metadata_field: ['signature_def'],
  });
  out.metadataType = meta.metadata ? meta.metadata.signature_def.type_url : meta;
  out.unknownModel = await call('Predict', {
    model_spec: {name: 'nope'},
    inputs: {x: {dtype: 'DT_FLOAT', tensor_shape: {dim: [{size: 1}]}, float_val: [1.0]}},
  });
  const status = await call('GetModelStatus', {model_spec: {name: model}}, modelService);
  out.status = status.model_version_status || status;
  const reload = await call('HandleReloadConfigRequest', {config: {model_config_list: {config: [{
    name: 'reloaded', base_path: basePath, model_platform: 'tensorflow',
    model_version_policy: {specific: {versions: [124]}},
  }]}}}, modelService);
  out.reload = reload.status || reload;
  const reloaded = await call('GetModelStatus', {model_spec: {name: 'reloaded'}}, modelService);
  out.reloadedStatus = reloaded.model_version_status || reloaded;
  out.oldModelAfterReload = await call('GetModelStatus', {model_spec: {name: model}}, modelService);
  const rest = await fetch(
      'http://127.0.0.1:' + restPort + '/v1/models/reloaded:predict',
      {method: 'POST', body: JSON.stringify({instances: [1.0, 2.0, 5.0]})});
  out.restStatus = rest.status;
  out.rest = await rest.json();
  console.log(JSON.stringify(out));
  client.close();
  modelService.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
