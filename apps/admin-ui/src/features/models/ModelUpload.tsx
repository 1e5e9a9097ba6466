/**
 * Upload a model: drop a file (or choose one), say its format (and version for XGBoost/ONNX). The file is
 * checked here first, then validated by the ML server; every problem is listed in words.
 */
import { Alert, Box, Button, FileButton, Group, List, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type DragEvent, type FormEvent } from 'react';
import { useUploadModel } from '../../api/ml.queries.ts';
import type { ModelFormat } from '../../api/wire-types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { checkModelFile, toBase64 } from './model-upload.ts';

const FORMATS: { value: ModelFormat; label: string }[] = [
  { value: 'native', label: 'CloudOptim native (JSON)' },
  { value: 'xgboost-json', label: 'XGBoost JSON (save_model)' },
  { value: 'onnx', label: 'ONNX' },
];

export function ModelUpload() {
  const upload = useUploadModel();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ModelFormat>('native');
  const [version, setVersion] = useState('');
  const [trainedUntil, setTrainedUntil] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);

  const choose = (next: File | null) => {
    setFile(next);
    setProblems([]);
    upload.reset();
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0] ?? null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = format === 'onnx' ? null : new TextDecoder().decode(bytes);
    const check = checkModelFile(file, text, format, version);
    setProblems(check.problems);
    if (!check.ok) return;
    upload.mutate({ format, artifact_base64: toBase64(bytes), ...(version.trim() && { version: version.trim() }), ...(trainedUntil && { trained_until: trainedUntil }) }, { onSuccess: () => setFile(null) });
  };

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} aria-labelledby="upload-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="upload-title">
            Upload a model
          </Title>
          <Box
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            p="lg"
            style={{ border: `2px dashed ${dragging ? 'var(--mantine-color-blue-6)' : 'var(--mantine-color-gray-4)'}`, borderRadius: 8, textAlign: 'center' }}
            data-testid="model-dropzone"
          >
            <Text size="sm">{file ? `${file.name} (${(file.size / 1024).toFixed(1)} KiB)` : 'Drop a model file here, or'}</Text>
            <FileButton onChange={choose} accept=".json,.onnx,application/json,application/octet-stream">
              {(props) => (
                <Button {...props} variant="default" mt="xs" size="xs">
                  {file ? 'Choose another file' : 'Choose a file'}
                </Button>
              )}
            </FileButton>
          </Box>
          <Group align="flex-end">
            <Select label="Format" data={FORMATS} value={format} onChange={(v) => v && setFormat(v as ModelFormat)} allowDeselect={false} />
            <TextInput label="Version" description={format === 'native' ? 'Optional: the artifact names it' : 'Required'} value={version} onChange={(e) => setVersion(e.currentTarget.value)} />
            <TextInput label="Trained until" type="date" description="Last day of training data" value={trainedUntil} onChange={(e) => setTrainedUntil(e.currentTarget.value)} />
            <Button type="submit" disabled={!file} loading={upload.isPending}>
              Upload and validate
            </Button>
          </Group>
          {problems.length > 0 && (
            <Alert color="red" title="This file cannot be uploaded" role="alert">
              <List size="sm">
                {problems.map((p) => (
                  <List.Item key={p}>{p}</List.Item>
                ))}
              </List>
            </Alert>
          )}
          {upload.isError && <ErrorNotice error={upload.error} action="The ML server refused the model" />}
          {upload.isSuccess && (
            <Alert color="teal" role="status">
              Model {upload.data.version} uploaded and validated ({upload.data.status}). Activate it below when ready.
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
