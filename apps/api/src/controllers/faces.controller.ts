import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated, UuidParam } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import {
  CreateFaceProfileDto,
  FaceImageDto,
  FaceImagesInterceptor,
  FaceProfileDetailDto,
  FaceProfileDto,
  FacesService,
  ListFacesQueryDto,
  UpdateFaceProfileDto,
  type UploadedFaceFile,
} from '@app/faces';

const IMAGE_FILE = { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP showing exactly one face (max 10 MB)' };

const CREATE_BODY = {
  schema: {
    type: 'object',
    required: ['name', 'employeeId'],
    properties: {
      name: { type: 'string', maxLength: 255 },
      employeeId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$' },
      department: { type: 'string', maxLength: 255 },
      notes: { type: 'string', maxLength: 2000 },
      images: { type: 'array', maxItems: 5, items: IMAGE_FILE, description: 'Field `images` (or `images[]`), 0-5 files' },
    },
  },
};

const IMAGES_BODY = {
  schema: {
    type: 'object',
    required: ['images'],
    properties: { images: { type: 'array', minItems: 1, maxItems: 5, items: IMAGE_FILE } },
  },
};

@ApiTags('faces')
@Controller('faces')
export class FacesController {
  constructor(private readonly faces: FacesService) {}

  /** Face profiles, filtered by department, status and a search over name, employeeId and department. */
  @RequirePermission(PERMISSIONS.FACES_READ)
  @ApiPaginatedResponse(FaceProfileDto)
  @Get()
  list(@Query() q: ListFacesQueryDto): Promise<Paginated<FaceProfileDto>> {
    return this.faces.list(q);
  }

  /**
   * Enrol a person (multipart/form-data): name, employeeId, department, notes and 0-5 images in
   * `images`. Each image must show exactly one usable face; a refused image (415 type, 413 size,
   * 422 no/several/small/blurry face) refuses the request and nothing is stored. 409 when the
   * employeeId is taken. The profile is `active` once it has an embedding.
   */
  @RequirePermission(PERMISSIONS.FACES_WRITE)
  @Post()
  @UseInterceptors(FaceImagesInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody(CREATE_BODY)
  create(@Body() dto: CreateFaceProfileDto, @UploadedFiles() files: UploadedFaceFile[] | undefined): Promise<FaceProfileDetailDto> {
    return this.faces.create(dto, files ?? []);
  }

  /** One profile with its images (presigned URLs). */
  @RequirePermission(PERMISSIONS.FACES_READ)
  @Get(':id')
  get(@Param('id', UuidParam) id: string): Promise<FaceProfileDetailDto> {
    return this.faces.get(id);
  }

  /**
   * Update name, employeeId, department, notes; setting `status` locks it against the automatic
   * active/pending rule, `statusLocked: false` unlocks it. `archived` profiles are not matched.
   */
  @RequirePermission(PERMISSIONS.FACES_WRITE)
  @Put(':id')
  update(@Param('id', UuidParam) id: string, @Body() dto: UpdateFaceProfileDto): Promise<FaceProfileDetailDto> {
    return this.faces.update(id, dto);
  }

  /**
   * Erase a profile: its images, embeddings and matcher entries in every process, then its
   * stored files (retried in the background when storage is down).
   */
  @RequirePermission(PERMISSIONS.FACES_DELETE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', UuidParam) id: string): Promise<void> {
    return this.faces.remove(id);
  }

  /** The profile's images with presigned URLs (FACE_IMAGE_URL_TTL_SECONDS). */
  @RequirePermission(PERMISSIONS.FACES_READ)
  @Get(':id/images')
  images(@Param('id', UuidParam) id: string): Promise<FaceImageDto[]> {
    return this.faces.listImages(id);
  }

  /**
   * Add 1-5 images (multipart, field `images`); a profile holds at most 5 (409 beyond). Same
   * checks as enrolment, and each face must resemble the profile's other images.
   */
  @RequirePermission(PERMISSIONS.FACES_WRITE)
  @Post(':id/images')
  @UseInterceptors(FaceImagesInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody(IMAGES_BODY)
  addImages(@Param('id', UuidParam) id: string, @UploadedFiles() files: UploadedFaceFile[] | undefined): Promise<FaceProfileDetailDto> {
    return this.faces.addImages(id, files ?? []);
  }

  /** Erase one image: its file, its embedding and its matcher entry. */
  @RequirePermission(PERMISSIONS.FACES_DELETE)
  @Delete(':id/images/:imageId')
  @HttpCode(HttpStatus.NO_CONTENT)
  removeImage(@Param('id', UuidParam) id: string, @Param('imageId', UuidParam) imageId: string): Promise<void> {
    return this.faces.removeImage(id, imageId);
  }
}
